from openai import AzureOpenAI, OpenAI

client = OpenAI()
azure = AzureOpenAI(api_version="2024-06-01", azure_endpoint="https://x.openai.azure.com")


def calls() -> None:
    client.responses.create(model="m", input="x")  # expect: openai responses.create
    client.chat.completions.with_raw_response.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create raw
    client.beta.chat.completions.parse(
        model="m", messages=[]
    )  # expect: openai beta.chat.completions.parse
    azure.chat.completions.create(
        model="deployment", messages=[]
    )  # expect: azure_openai chat.completions.create
    client.models.list()
    client.files.create(file=b"x", purpose="batch")

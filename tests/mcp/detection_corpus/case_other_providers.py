import boto3
import cohere
import google.generativeai as legacy_genai
import ollama
from google import genai
from groq import Groq
from mistralai import Mistral

gemini = genai.Client()
mistral = Mistral(api_key="x")
bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
s3 = boto3.client("s3")
co = cohere.ClientV2()
groq = Groq()
local = ollama.Client()
model = legacy_genai.GenerativeModel("gemini-1.5-flash")


async def run() -> None:
    gemini.models.generate_content(
        model="gemini-2.0-flash", contents="hi"
    )  # expect: gemini models.generate_content
    await gemini.aio.models.generate_content(
        model="gemini-2.0-flash", contents="hi"
    )  # expect: gemini aio.models.generate_content async
    mistral.chat.complete(model="mistral-small", messages=[])  # expect: mistral chat.complete
    bedrock.converse(modelId="anthropic.claude", messages=[])  # expect: bedrock converse
    bedrock.converse_stream(
        modelId="anthropic.claude", messages=[]
    )  # expect: bedrock converse_stream stream
    s3.put_object(Bucket="b", Key="k", Body=b"x")
    co.chat(model="command-r", messages=[])  # expect: cohere chat
    groq.chat.completions.create(
        model="llama3", messages=[]
    )  # expect: groq chat.completions.create
    ollama.chat(model="llama3", messages=[])  # expect: ollama chat module_function
    local.generate(model="llama3", prompt="x")  # expect: ollama generate
    model.generate_content("hi")  # expect: google_generativeai generate_content

from langchain_core.prompts import ChatPromptTemplate

SUMMARY_PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Summarize the document in at most {max_words} words."),
        ("human", "{document}"),
    ]
)

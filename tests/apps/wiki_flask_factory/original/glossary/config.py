import os


class Config:
    MODEL = os.environ.get("GLOSSARY_MODEL", "gpt-4o-mini")
    TONE = os.environ.get("GLOSSARY_TONE", "plain")

import os


class Settings:
    def __init__(self) -> None:
        self.model = os.environ.get("QA_MODEL", "gpt-4o-mini")
        self.product = os.environ.get("QA_PRODUCT", "ACME Cloud")


settings = Settings()

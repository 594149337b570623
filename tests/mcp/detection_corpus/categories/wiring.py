"""Builds the clients and hands them to the pipeline module."""

import anthropic
from openai import OpenAI

from categories.cat_injected_cross_module import Pipeline, rerank

PIPELINE = Pipeline(anthropic.Anthropic(max_retries=4))


def search(query, docs):
    return rerank(OpenAI(), query, docs)

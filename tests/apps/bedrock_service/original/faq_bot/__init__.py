"""FAQ answers for the help center, generated with Claude on Amazon Bedrock."""

"""Concierge: answers hotel guests' questions through whichever model the ops team routes to."""

"""A two-step research graph: take notes, then answer."""
from langgraph.graph import END, START, StateGraph

from nodes import ResearchState, take_notes, write_answer


def build_graph():
    builder = StateGraph(ResearchState)
    builder.add_node("take_notes", take_notes)
    builder.add_node("write_answer", write_answer)
    builder.add_edge(START, "take_notes")
    builder.add_edge("take_notes", "write_answer")
    builder.add_edge("write_answer", END)
    return builder.compile()


research_graph = build_graph()


def research(question: str) -> str:
    result = research_graph.invoke({"question": question})
    return result["answer"]

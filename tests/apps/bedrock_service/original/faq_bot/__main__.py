"""python -m faq_bot "How do I change my billing email?" [--stream]"""
import sys

from .service import FaqService


def main(argv):
    if not argv:
        print("usage: python -m faq_bot QUESTION [--stream]", file=sys.stderr)
        return 2
    service = FaqService()
    if "--stream" in argv:
        for piece in service.stream_answer(argv[0]):
            print(piece, end="", flush=True)
        print()
    else:
        print(service.answer(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

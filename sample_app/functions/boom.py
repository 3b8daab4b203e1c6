"""`GET /boom`: a handler that raises, to show a 500 for the client and the traceback in the terminal."""


def main(event, context):
    raise RuntimeError("boom: this handler fails on purpose")

"""A helper module the handlers import: edit it while `make dev` runs and the next request sees the change."""


def greeting(name: str, *, shout: bool = False) -> str:
    text = f"Hello, {name}!"
    return text.upper() if shout else text

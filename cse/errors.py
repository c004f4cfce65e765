"""The one exception type the core raises for a request that fails."""

from cse.status import RSC


class RequestError(Exception):
    """A request failed with a oneM2M status code and a message meant for the originator."""

    def __init__(self, rsc: RSC, message: str) -> None:
        super().__init__(message)
        self.rsc = rsc
        self.message = message

    def __repr__(self) -> str:
        return f"RequestError({self.rsc.name}, {self.message!r})"


def bad_request(message: str) -> RequestError:
    return RequestError(RSC.BAD_REQUEST, message)


def not_found(message: str) -> RequestError:
    return RequestError(RSC.NOT_FOUND, message)

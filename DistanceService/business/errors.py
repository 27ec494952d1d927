"""What the distance rules refuse; the web layer maps each to an HTTP status."""


class DistanceError(Exception):
    """Base of the business errors."""


class DistanceNotFound(DistanceError):
    pass


class UnusableCoordinates(DistanceError):
    """The customer's address has no latitude/longitude we can compute with."""


class CustomerUnknown(DistanceError):
    """CustomerService does not know the order's customer."""


# What makes a distance unavailable for good: recorded with the reason, never retried.
NO_DISTANCE = (UnusableCoordinates, CustomerUnknown)

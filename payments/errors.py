class PaymentError(Exception):
    """A money rule refused the operation. ``message`` is safe to show to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

"""Money out: the disbursement state machine, sending through a rail, and what the gateway
reports back."""

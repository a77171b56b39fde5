"""The regional treasury pays by bank transfer (SP2D). Sending hands the payment to the
treasury; it is paid when the finance officer records the bank reference and the proof."""

from payments.interface import TransferRequest, TransferResult


class ManualBankTransferGateway:
    name = "manual"

    def send_transfer(self, request: TransferRequest) -> TransferResult:
        # Nothing leaves this site: the instruction is the disbursement itself, listed for the
        # finance officer until the treasury's transfer is recorded.
        return TransferResult(
            succeeded=True,
            reference="",
            raw={"instructed": True, "account": request.destination, "amount": request.amount},
        )

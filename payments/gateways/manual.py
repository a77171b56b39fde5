"""The regional treasury pays by bank transfer (SP2D). Sending hands the payment to the
treasury; it is paid when the finance officer records the bank reference and the proof.

Only transfers apply: sponsors' bank transfers (pledges) are confirmed against the bank
statement by a finance officer, and the bank reports nothing by itself, so every other
operation is the base class's "not supported"."""

from payments.interface import PaymentGateway, TransferRequest, TransferResult


class ManualBankTransferGateway(PaymentGateway):
    name = "manual"

    def send_transfer(self, request: TransferRequest) -> TransferResult:
        # Nothing leaves this site: the instruction is the disbursement itself, listed for the
        # finance officer until the treasury's transfer is recorded.
        return TransferResult(
            succeeded=True,
            reference="",
            raw={"instructed": True, "account": request.destination, "amount": request.amount},
        )

"""The regional treasury pays by bank transfer; the finance officer records the reference."""

from payments.interface import TransferRequest, TransferResult


class ManualBankTransferGateway:
    name = "manual"

    def send_transfer(self, request: TransferRequest) -> TransferResult:
        if not request.bank_reference.strip():
            return TransferResult(succeeded=False, error="bank reference missing")
        return TransferResult(
            succeeded=True,
            reference=request.bank_reference.strip(),
            raw={"bank_reference": request.bank_reference.strip(), "account": request.destination},
        )

"""Money in: sponsor contributions (Stripe PaymentIntents, or pledges confirmed against the bank
statement when Stripe is not configured), refunds and receipts."""

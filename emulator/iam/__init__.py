"""IAM in front of moto: who signed a request, SigV4 verification, which action and resource a request needs,
identity-policy evaluation, the IAM guard middleware, and the answer to API Gateway's `iam` authorizer.

Knows nothing of moto. May import `emulator.s3`'s errors and addressing and the emulator's root modules.
"""

"""The Console's Users API: each `Auth`'s local users, listed, created and deleted.

Creating a user is sign-up without a client (the password must meet the pool's policy); deleting one ends their
sessions at once: their tokens stop passing authorizers and their identity's credentials lose every permission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from devserver.console.origin import same_origin_only

if TYPE_CHECKING:
    from devserver.console.host import ConsoleHost

__all__ = ["users_router"]


class NewUser(BaseModel):
    username: str
    password: str


def users_router(server: ConsoleHost) -> APIRouter:
    router = APIRouter(prefix="/_sst/api/auth")
    changes = [Depends(same_origin_only(server))]

    @router.get("")
    def list_auths() -> dict[str, Any]:
        auth = server.auth
        return {
            "auths": [
                {
                    "id": spec.id,
                    "userPoolId": spec.user_pool_id,
                    "userPoolClientId": spec.user_pool_client_id,
                    "identityPoolId": spec.identity_pool_id,
                    "issuer": auth.issuer_url(spec.id),
                    "users": [user.public() for user in auth.store.users(spec.user_pool_id)],
                }
                for spec in auth.auths
            ]
        }

    @router.post("/{auth_id}/users", dependencies=changes, status_code=201)
    async def create_user(auth_id: str, body: NewUser) -> dict[str, object]:
        user = await run_in_threadpool(server.auth.sign_up, auth_id, body.username, body.password)
        return user.public()

    @router.delete("/{auth_id}/users/{username}", dependencies=changes)
    async def delete_user(auth_id: str, username: str) -> dict[str, object]:
        user = await run_in_threadpool(server.auth.delete_user, auth_id, username)
        return user.public()

    return router

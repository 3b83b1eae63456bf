"""Staff accounts for the console: PBKDF2 password hashes from configuration, signed expiring session cookies
(with several nodes, each cookie's session is also kept in Redis so that a logout holds everywhere)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.ratelimit import Lockout

if TYPE_CHECKING:
    from assistant.console.sessions import RedisSessions

COOKIE = "onething_staff"
SESSION_SECONDS = 8 * 3600
ITERATIONS = 200_000


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ITERATIONS).hex()
    return f"pbkdf2_sha256${ITERATIONS}${salt}${digest}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _algo, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    calc = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(calc, digest)


def parse_accounts(spec: str) -> dict[str, str]:
    """'alice:pbkdf2_sha256$…,bob:…' → {user: hash}."""
    out = {}
    for part in (spec or "").split(","):
        if ":" in part:
            user, hashed = part.split(":", 1)
            out[user.strip()] = hashed.strip()
    return out


class LockedOutError(Exception):
    """Too many failed logins for this user or address; try again after the window."""


_DUMMY_HASH = hash_password("unknown-user", "0" * 16)  # verified for unknown users: same time as a real one


class StaffAuth:
    """Logins, signed cookies that name a server-side session (revoked on logout), and lockouts after
    repeated failures (per user and per address, counted in the shared rate-limit storage). With `sessions`
    (Redis), a cookie is valid only while its session id is there: logout and expiry hold on every node."""

    def __init__(
        self,
        accounts_spec: str,
        secret: str = "",
        session_seconds: int = SESSION_SECONDS,
        lockout: Lockout | None = None,
        revoked: Callable[[str], bool] | None = None,
        sessions: RedisSessions | None = None,
    ):
        self.accounts = parse_accounts(accounts_spec)
        self.secret = (secret or secrets.token_hex(32)).encode()
        self.session_seconds = session_seconds
        self.lockout = lockout or Lockout("memory://")
        self.revoked = revoked or (lambda _sid: False)
        self.sessions = sessions

    def login(self, user: str, password: str, address: str = "") -> str | None:
        """A signed cookie value for valid credentials, else None; LockedOutError after too many failures."""
        keys = (f"user:{user[:64]}", f"ip:{address}")
        if self.lockout.locked(*keys):
            raise LockedOutError(user)
        stored = self.accounts.get(user)
        ok = verify_password(password, stored or _DUMMY_HASH) and stored is not None
        if not ok:
            self.lockout.failed(*keys)
            return None
        self.lockout.succeeded(keys[0])
        sid = secrets.token_hex(12)
        if self.sessions is not None:
            self.sessions.start(sid, user, self.session_seconds)
        return self.sign(user, int(time.time()) + self.session_seconds, sid)

    def end_session(self, sid: str) -> None:
        """Logout: the session's cookie is refused from now on (on every node, with Redis sessions)."""
        if self.sessions is not None:
            self.sessions.end(sid)

    def sign(self, user: str, expires: int, sid: str = "") -> str:
        payload = f"{user}|{expires}|{sid}"
        mac = hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()
        return base64.urlsafe_b64encode(f"{payload}|{mac}".encode()).decode()

    def session_of(self, value: str | None) -> tuple[str, str] | None:
        """(user, session id) of a valid, unexpired, not revoked cookie."""
        if not value:
            return None
        try:
            user, expires, sid, mac = base64.urlsafe_b64decode(value.encode()).decode().split("|")
            expires_at = int(expires)
        except (ValueError, UnicodeDecodeError):
            return None
        good = hmac.new(self.secret, f"{user}|{expires}|{sid}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, mac) or expires_at < time.time() or user not in self.accounts:
            return None
        if self.revoked(sid):
            return None
        if self.sessions is not None and not self.sessions.alive(sid, user):
            return None
        return user, sid

    def user_from_cookie(self, value: str | None) -> str | None:
        """The staff user of a valid, unexpired, not revoked cookie."""
        found = self.session_of(value)
        return found[0] if found else None

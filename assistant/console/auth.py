"""Staff accounts for the console: PBKDF2 password hashes from configuration, signed expiring session cookies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

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


class StaffAuth:
    def __init__(self, accounts_spec: str, secret: str = "", session_seconds: int = SESSION_SECONDS):
        self.accounts = parse_accounts(accounts_spec)
        self.secret = (secret or secrets.token_hex(32)).encode()
        self.session_seconds = session_seconds

    def login(self, user: str, password: str) -> str | None:
        """A signed cookie value for valid credentials, else None."""
        stored = self.accounts.get(user)
        if stored is None or not verify_password(password, stored):
            return None
        return self.sign(user, int(time.time()) + self.session_seconds)

    def sign(self, user: str, expires: int) -> str:
        payload = f"{user}|{expires}"
        mac = hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()
        return base64.urlsafe_b64encode(f"{payload}|{mac}".encode()).decode()

    def user_from_cookie(self, value: str | None) -> str | None:
        """The staff user of a valid, unexpired cookie."""
        if not value:
            return None
        try:
            user, expires, mac = base64.urlsafe_b64decode(value.encode()).decode().split("|")
        except (ValueError, UnicodeDecodeError):
            return None
        good = hmac.new(self.secret, f"{user}|{expires}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, mac) or int(expires) < time.time() or user not in self.accounts:
            return None
        return user

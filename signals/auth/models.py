"""Organisations, users and their groups; API tokens; one-time account links; the throttle."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signals.clock import now
from signals.database import Base, UTCDateTime


class OrganisationKind(StrEnum):
    """A municipal department (``staff``) or a contracted partner (``partner``)."""

    STAFF = "staff"
    PARTNER = "partner"
    # The one pseudo-organisation of the anonymous channel: its signals' reporter kind.
    ANONYMOUS = "anonymous"


class Role(StrEnum):
    """What a user does in the service; route-node groups come on top of this."""

    PROFESSIONAL = "professional"
    MANAGER = "manager"
    MEMBER = "member"
    ADMIN = "admin"
    # The ombudsman's own administrator: manages the independent nodes' groups and reads
    # what is (or was) there, as the ombudsman does; the municipality's admins cannot.
    OMBUDSMAN_ADMIN = "ombudsman_admin"
    # Reads the access log and makes privacy exports; reads no signal content by this role.
    PRIVACY_OFFICER = "privacy_officer"


ROLE_CHECK = (
    "role IN ('professional', 'manager', 'member', 'admin', 'ombudsman_admin', 'privacy_officer')"
)


class Organisation(Base):
    """A municipal department or a contracted partner whose staff report signals."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('staff', 'partner', 'anonymous')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # For a partner: the municipality's contact person for it (owner of 'partner_contact' nodes).
    contact_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, name="fk_organisations_contact_user_id_users")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    contact: Mapped["User | None"] = relationship(foreign_keys=[contact_user_id])

    @property
    def is_partner(self) -> bool:
        return self.kind == OrganisationKind.PARTNER


class User(UserMixin, Base):  # type: ignore[misc]
    """A person who logs in: reporter, manager, node-group member or administrator."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session cookie's user id: raising it (log-out, a new password,
    # deactivation) ends every session of this person at their next request.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    organisation: Mapped[Organisation] = relationship(lazy="joined", foreign_keys=[organisation_id])
    manager: Mapped["User | None"] = relationship(remote_side=[id])
    group_memberships: Mapped[list["GroupMembership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """flask-login's id in the session cookie: ``<id>:<session generation>``.

        A cookie carrying an older generation names no one any more (:func:`load_user` in
        :mod:`signals.auth.services`).
        """
        return f"{self.id}:{self.session_generation}"

    @property
    def groups(self) -> list[str]:
        return sorted(membership.group for membership in self.group_memberships)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_ombudsman_admin(self) -> bool:
        return self.role == Role.OMBUDSMAN_ADMIN

    @property
    def reads_access_log(self) -> bool:
        """Whether the user may read the access log and make privacy exports."""
        return self.role in (Role.ADMIN, Role.PRIVACY_OFFICER)

    @property
    def can_triage(self) -> bool:
        """Whether the user has an inbox: managers, node-group members and administrators."""
        return self.role in (Role.MANAGER, Role.ADMIN) or bool(self.group_memberships)


class GroupMembership(Base):
    """Membership of a route-node group (intake, casuïstiekbespreking, beleid, ombudsman …)."""

    __tablename__ = "group_memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    group: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="group_memberships")


class ApiToken(Base):
    """A personal API token: shown once when made, kept only as a hash, revocable.

    ``prefix`` (the token's first characters) lets its owner tell their tokens apart.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuthFailure(Base):
    """One failed attempt to authenticate, counted per key (:mod:`signals.auth.throttle`).

    An attempt in progress is recorded here too, before its password is checked, and removed
    when it succeeds or is refused: concurrent attempts see each other.
    """

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginAddress(Base):
    """An address a person has logged in from with their password: the throttle trusts it.

    Only a keyed hash of the address (IPv6: of its /64 network) is kept; it serves to
    recognise the address again, not to show it.
    """

    __tablename__ = "login_addresses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkPurpose(StrEnum):
    """What a one-time account link is for: a first password, or a forgotten one."""

    INVITE = "invite"
    RESET = "reset"


class AccountLink(Base):
    """A one-time link by e-mail to set a password: an invitation or a reset.

    Only the SHA-256 hash of the link's random token is kept. A link works once
    (``used_at``) and until ``expires_at``; a newer link of the same purpose ends it early
    (its ``expires_at`` becomes the moment the newer one was made).
    """

    __tablename__ = "account_links"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    user: Mapped[User] = relationship(lazy="joined")

"""The owner of an owned thing: a person or a group, and the mixin that gives a model one.

An owned thing (a signal, a kwestie; meetings and action items next) has exactly one owner:
a person (``owner_user``) or a route-node group (``owner_group``). A model gets both columns,
the relationship and :meth:`OwnerMixin.is_owned_by` from :class:`OwnerMixin`, and its table
the check that there is exactly one from :func:`exactly_one_owner`. Nothing here looks at the
app: who the members of a group are and how a group is named is :mod:`.services`'.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, String, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from signals.auth.models import User


@dataclass(frozen=True)
class Owner:
    """Who owns something: a person, or else a group (never neither)."""

    user: User | None
    group: str | None


def exactly_one_owner() -> CheckConstraint:
    """The owned table's check: a person or a group owns it, never both, never neither.

    A new constraint for each table (``ck_<table>_exactly_one_owner``).
    """
    return CheckConstraint(
        "(owner_user_id IS NULL) <> (owner_group IS NULL)", name="exactly_one_owner"
    )


def person_or_groups(user: User, person: Any, group: Any) -> ColumnElement[bool]:
    """SQL: ``person`` (a user id column) is ``user``, or ``group`` is one of their groups."""
    clauses = [person == user.id]
    if user.groups:
        clauses.append(group.in_(user.groups))
    return or_(*clauses)


class OwnerMixin:
    """Owned by a person or a group: the two columns, the person, and who owns it.

    Give the table :func:`exactly_one_owner` in its ``__table_args__``.
    """

    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_group: Mapped[str | None] = mapped_column(String(64))

    @declared_attr
    @classmethod
    def owner_user(cls) -> Mapped[User | None]:
        return relationship(foreign_keys=lambda: [cls.owner_user_id], lazy="joined")

    @property
    def owner(self) -> Owner:
        """Who owns it now."""
        return Owner(self.owner_user, self.owner_group)

    @owner.setter
    def owner(self, owner: Owner) -> None:
        self.owner_user = owner.user
        self.owner_user_id = owner.user.id if owner.user is not None else None
        self.owner_group = owner.group

    @hybrid_method
    def is_owned_by(self, user: User) -> bool:
        """Whether ``user`` owns it: they are its person, or its group is one of theirs.

        On the class, the same as an SQL condition (``Signal.is_owned_by(user)``).
        """
        if self.owner_user_id is not None:
            return self.owner_user_id == user.id
        return self.owner_group in user.groups

    @is_owned_by.expression
    @classmethod
    def _is_owned_by_clause(cls, user: User) -> ColumnElement[bool]:
        return person_or_groups(user, cls.owner_user_id, cls.owner_group)

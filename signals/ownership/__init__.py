"""Owned by a person or a group: signals and kwesties now, meetings and action items next.

:mod:`.models` gives an owned model its columns, its relationship and the question whether
someone owns it (:class:`~.models.OwnerMixin`, :class:`~.models.Owner`); :mod:`.services`
says who the owner's people are and how the owner is named.
"""

"""The typed Convertr v4 client: configuration, errors, models, client and lead dossier."""

from __future__ import annotations

from lib.convertr.client import UNSET, ConvertrClient
from lib.convertr.config import ClientConfig
from lib.convertr.dossier import PARTS, LeadDossier, load_dossier
from lib.convertr.errors import ConvertrError

__all__ = [
    "PARTS",
    "UNSET",
    "ClientConfig",
    "ConvertrClient",
    "ConvertrError",
    "LeadDossier",
    "load_dossier",
]

"""civaffairs: the district civil affairs bureau's epidemic prevention registers."""

__version__ = "0.1.0"
APP_NAME = "civaffairs"

"""qoffice — 质量强企工作台, the county quality office's desktop application."""

__version__ = "0.1.0"
APP_NAME = "qoffice"

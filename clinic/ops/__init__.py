"""Operations code behind manage.py commands (backup and restore)."""

"""The object store: registers, schemas and the objects they hold (the original's OpenRegister)."""

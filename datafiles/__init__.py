"""The data-file loader of every app: a consortium's YAML file read, checked and upserted."""

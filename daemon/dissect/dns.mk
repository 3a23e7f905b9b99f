# dns: sources and tests (being written)

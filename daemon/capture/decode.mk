# decode: sources and tests (being written)

"""The permit catalogue, each estate's permits and (next) their stage machine and deadline clock."""

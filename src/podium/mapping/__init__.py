"""Map the exposure: structure analytics of the ecosystem."""

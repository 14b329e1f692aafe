"""Use cases: load, call the domain, persist. Each public function owns its transaction."""

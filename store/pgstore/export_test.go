package pgstore

// QueuedInserts reports how many Inserts of s wait for a batch (the one
// in flight is not counted).
func QueuedInserts(s *Store) int {
	s.ins.mu.Lock()
	defer s.ins.mu.Unlock()
	return len(s.ins.queue)
}

// InsertInFlight reports whether an Insert of s leads: one is in flight.
func InsertInFlight(s *Store) bool {
	s.ins.mu.Lock()
	defer s.ins.mu.Unlock()
	return s.ins.busy
}

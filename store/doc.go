// Package store holds the in-memory implementation of [notary.Store].
//
// [NewMemory] returns a goroutine-safe store that keeps everything in
// process memory: the fake for tests and the zero-setup default of a host
// that does not need persistence. It applies every [notary.Change]
// atomically with the same semantics as the SQL stores (optimistic version
// checks, unique keys, evidence reservations, deduplication keys), and it
// copies values on the way in and on the way out, so a caller can never
// change stored data through a value it passed or received.
//
// Package storetest holds the conformance suite that this store, the SQL
// adapters and any integrator's own store must pass.
package store

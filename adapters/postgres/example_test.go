package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
)

// Open a store in its own schema, create or update its tables, and hand it
// to the notary service as its Store.
func Example() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), postgres.WithSchema("notarykit"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	var store notary.Store = st // notary.Config{InsecureDevKeys: true, Store: store, …}
	_ = store
}

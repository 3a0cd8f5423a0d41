package notary

import "context"

// FireApplication exposes the single transition path to the external tests,
// so they can fire every trigger, including the system's, in every state.
func (s *Service) FireApplication(ctx context.Context, actor Principal, app Application, t ApplicationTrigger) (Application, error) {
	return s.fireApplication(ctx, app, t, transition[Application]{actor: actor, reason: "test"})
}

// SystemActor exposes the system principal.
var SystemActor Principal = system{"test"}

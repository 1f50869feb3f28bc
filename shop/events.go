package shop

// Publisher learns of a change once its transaction has committed, so that
// subscribers see it (package events); a change that rolled back publishes
// nothing. A notice only says what changed: subscribers read the current
// state themselves.
type Publisher interface {
	OrderChanged(orderID string)
	WalletChanged(userID string)
}

// nopPublisher is the Publisher of a domain service without one.
type nopPublisher struct{}

func (nopPublisher) OrderChanged(string)  {}
func (nopPublisher) WalletChanged(string) {}

func publisher(p Publisher) Publisher {
	if p == nil {
		return nopPublisher{}
	}
	return p
}

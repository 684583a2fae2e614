"""Match evaluation set: scenarios, judgements and the judging aid."""

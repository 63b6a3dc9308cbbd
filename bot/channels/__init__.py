"""Where learners reach the assistant: the web service and widget, Slack, and message sources."""

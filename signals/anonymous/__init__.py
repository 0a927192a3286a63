"""The anonymous channel: a signal without a reporter, followed with a receipt code."""

# Where the channel is reached (web pages, API). Nothing may log a request to these: a log
# line would hold the client's address, and an API path the receipt.
ANONYMOUS_PATHS = ("/anoniem", "/api/v1/anonymous/")

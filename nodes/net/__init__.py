"""Network nodes: call web services and download from web addresses (HTTP requests)."""

from nodes.net.http_request import HttpRequest

NODE_TYPES = [HttpRequest]

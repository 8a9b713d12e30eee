"""Serializers validate input and shape output. They never save: the views hand validated data to the
same service functions the web forms call."""

"""The KPI, measurement and progress endpoints of the REST API and their serializers."""

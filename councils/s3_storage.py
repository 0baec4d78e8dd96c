"""Private uploads in an S3-compatible bucket (django-storages), for ``STORAGES["private"]`` when
``COMMISSIONER_S3_BUCKET`` is set. Imported only then, by its dotted path in config/settings.py."""

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """Like councils.uploads.PrivateStorage: files are read only through a permission-checked view
    that streams them (councils.uploads.download_response), never from a bucket URL."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files are served only through a permission-checked view.")

filedesc://IA-001.arc 0.0.0.0 19960923142103 text/plain 76
1 0 Alexa Internet
URL IP-address Archive-date Content-type Archive-length

http://www.example.com/ 192.0.2.1 19960923142103 text/html 96
HTTP/1.0 200 OK
Content-Type: text/html

<html><title>Old page</title><p>An old page of text.</p></html>

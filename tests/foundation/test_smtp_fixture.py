from django.core import mail


def test_mail_sent_through_django_arrives_at_the_loopback_smtp_server(smtp_settings):
    mail.send_mail("Subject line", "Body text", "from@example.org", ["to@example.org"])
    assert smtp_settings.handler.count_for("to@example.org") == 1
    assert smtp_settings.messages[0].message["Subject"] == "Subject line"


def test_the_server_can_refuse_a_recipient_permanently(smtp_settings):
    import smtplib

    import pytest

    smtp_settings.handler.reply_for_rcpt["gone@example.org"] = "550 5.1.1 No such mailbox"
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        mail.send_mail("S", "B", "from@example.org", ["gone@example.org"])
    assert smtp_settings.messages == []

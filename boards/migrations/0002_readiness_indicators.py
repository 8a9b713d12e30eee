from django.db import migrations

# The five indicators the issue names; admins add more from the indicators page.
INDICATORS = [
    ("Included in the early help strategy", "Support for parents' relationships is part of the early help strategy."),
    ("In the family workforce development plan", "Training on parental conflict is in the workforce development plan."),
    (
        "In midwifery and health visiting services",
        "Midwives and health visitors ask about and support the parents' relationship.",
    ),
    (
        "Named as a local priority",
        "The area names support for parents' relationships as a priority, for example in the Health and Wellbeing strategy.",
    ),
    ("Led by a senior champion", "A named senior leader champions the work."),
]


def add_indicators(apps, schema_editor):
    ReadinessIndicator = apps.get_model("boards", "ReadinessIndicator")
    for position, (name, description) in enumerate(INDICATORS, start=1):
        ReadinessIndicator.objects.get_or_create(
            name=name, defaults={"description": description, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("boards", "0001_initial")]

    operations = [migrations.RunPython(add_indicators, migrations.RunPython.noop)]

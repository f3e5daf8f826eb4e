
import django.db.models.deletion
from django.db import migrations, models


# Donors and projects moved from reports/ to programmes/ (the apps' layers). The tables keep
# their names (db_table): only Django's state changes, nothing in the database.

class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0001_initial'),
        ('trainings', '0002_trainingsession_action_points'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='trainingsession',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='programmes.project', verbose_name='funding project'),
                ),
                ],
            database_operations=[],
        ),
    ]

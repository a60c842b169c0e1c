# generated — do not edit: compiled from forms/observation_form.ui by `make forms`
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'observation_form.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QComboBox, QGridLayout, QLabel,
    QLineEdit, QSizePolicy, QVBoxLayout, QWidget)

from mgso4.gui.widgets.field_message import FieldMessage

class Ui_ObservationForm(object):
    def setupUi(self, ObservationForm):
        if not ObservationForm.objectName():
            ObservationForm.setObjectName(u"ObservationForm")
        self.fields_layout = QGridLayout(ObservationForm)
        self.fields_layout.setSpacing(4)
        self.fields_layout.setObjectName(u"fields_layout")
        self.fields_layout.setContentsMargins(0, 0, 0, 0)
        self.time_label = QLabel(ObservationForm)
        self.time_label.setObjectName(u"time_label")

        self.fields_layout.addWidget(self.time_label, 0, 0, 1, 1)

        self.time_slot = QWidget(ObservationForm)
        self.time_slot.setObjectName(u"time_slot")
        self.time_slot_layout = QVBoxLayout(self.time_slot)
        self.time_slot_layout.setObjectName(u"time_slot_layout")
        self.time_slot_layout.setContentsMargins(0, 0, 0, 0)

        self.fields_layout.addWidget(self.time_slot, 0, 1, 1, 2)

        self.pulse_label = QLabel(ObservationForm)
        self.pulse_label.setObjectName(u"pulse_label")

        self.fields_layout.addWidget(self.pulse_label, 1, 0, 1, 1)

        self.pulse_edit = QLineEdit(ObservationForm)
        self.pulse_edit.setObjectName(u"pulse_edit")

        self.fields_layout.addWidget(self.pulse_edit, 1, 1, 1, 1)

        self.pulse_unit = QLabel(ObservationForm)
        self.pulse_unit.setObjectName(u"pulse_unit")

        self.fields_layout.addWidget(self.pulse_unit, 1, 2, 1, 1)

        self.pulse_message = FieldMessage(ObservationForm)
        self.pulse_message.setObjectName(u"pulse_message")

        self.fields_layout.addWidget(self.pulse_message, 2, 1, 1, 2)

        self.systolic_label = QLabel(ObservationForm)
        self.systolic_label.setObjectName(u"systolic_label")

        self.fields_layout.addWidget(self.systolic_label, 3, 0, 1, 1)

        self.systolic_edit = QLineEdit(ObservationForm)
        self.systolic_edit.setObjectName(u"systolic_edit")

        self.fields_layout.addWidget(self.systolic_edit, 3, 1, 1, 1)

        self.systolic_unit = QLabel(ObservationForm)
        self.systolic_unit.setObjectName(u"systolic_unit")

        self.fields_layout.addWidget(self.systolic_unit, 3, 2, 1, 1)

        self.systolic_message = FieldMessage(ObservationForm)
        self.systolic_message.setObjectName(u"systolic_message")

        self.fields_layout.addWidget(self.systolic_message, 4, 1, 1, 2)

        self.diastolic_label = QLabel(ObservationForm)
        self.diastolic_label.setObjectName(u"diastolic_label")

        self.fields_layout.addWidget(self.diastolic_label, 5, 0, 1, 1)

        self.diastolic_edit = QLineEdit(ObservationForm)
        self.diastolic_edit.setObjectName(u"diastolic_edit")

        self.fields_layout.addWidget(self.diastolic_edit, 5, 1, 1, 1)

        self.diastolic_unit = QLabel(ObservationForm)
        self.diastolic_unit.setObjectName(u"diastolic_unit")

        self.fields_layout.addWidget(self.diastolic_unit, 5, 2, 1, 1)

        self.diastolic_message = FieldMessage(ObservationForm)
        self.diastolic_message.setObjectName(u"diastolic_message")

        self.fields_layout.addWidget(self.diastolic_message, 6, 1, 1, 2)

        self.baseline_diastolic_label = QLabel(ObservationForm)
        self.baseline_diastolic_label.setObjectName(u"baseline_diastolic_label")

        self.fields_layout.addWidget(self.baseline_diastolic_label, 7, 0, 1, 1)

        self.baseline_diastolic_edit = QLineEdit(ObservationForm)
        self.baseline_diastolic_edit.setObjectName(u"baseline_diastolic_edit")

        self.fields_layout.addWidget(self.baseline_diastolic_edit, 7, 1, 1, 1)

        self.baseline_diastolic_unit = QLabel(ObservationForm)
        self.baseline_diastolic_unit.setObjectName(u"baseline_diastolic_unit")

        self.fields_layout.addWidget(self.baseline_diastolic_unit, 7, 2, 1, 1)

        self.baseline_diastolic_message = FieldMessage(ObservationForm)
        self.baseline_diastolic_message.setObjectName(u"baseline_diastolic_message")

        self.fields_layout.addWidget(self.baseline_diastolic_message, 8, 1, 1, 2)

        self.rr_label = QLabel(ObservationForm)
        self.rr_label.setObjectName(u"rr_label")

        self.fields_layout.addWidget(self.rr_label, 9, 0, 1, 1)

        self.rr_edit = QLineEdit(ObservationForm)
        self.rr_edit.setObjectName(u"rr_edit")

        self.fields_layout.addWidget(self.rr_edit, 9, 1, 1, 1)

        self.rr_unit = QLabel(ObservationForm)
        self.rr_unit.setObjectName(u"rr_unit")

        self.fields_layout.addWidget(self.rr_unit, 9, 2, 1, 1)

        self.rr_message = FieldMessage(ObservationForm)
        self.rr_message.setObjectName(u"rr_message")

        self.fields_layout.addWidget(self.rr_message, 10, 1, 1, 2)

        self.baseline_rr_label = QLabel(ObservationForm)
        self.baseline_rr_label.setObjectName(u"baseline_rr_label")

        self.fields_layout.addWidget(self.baseline_rr_label, 11, 0, 1, 1)

        self.baseline_rr_edit = QLineEdit(ObservationForm)
        self.baseline_rr_edit.setObjectName(u"baseline_rr_edit")

        self.fields_layout.addWidget(self.baseline_rr_edit, 11, 1, 1, 1)

        self.baseline_rr_unit = QLabel(ObservationForm)
        self.baseline_rr_unit.setObjectName(u"baseline_rr_unit")

        self.fields_layout.addWidget(self.baseline_rr_unit, 11, 2, 1, 1)

        self.baseline_rr_message = FieldMessage(ObservationForm)
        self.baseline_rr_message.setObjectName(u"baseline_rr_message")

        self.fields_layout.addWidget(self.baseline_rr_message, 12, 1, 1, 2)

        self.reflexes_label = QLabel(ObservationForm)
        self.reflexes_label.setObjectName(u"reflexes_label")

        self.fields_layout.addWidget(self.reflexes_label, 13, 0, 1, 1)

        self.reflexes_combo = QComboBox(ObservationForm)
        self.reflexes_combo.setObjectName(u"reflexes_combo")

        self.fields_layout.addWidget(self.reflexes_combo, 13, 1, 1, 1)

        self.reflexes_message = FieldMessage(ObservationForm)
        self.reflexes_message.setObjectName(u"reflexes_message")

        self.fields_layout.addWidget(self.reflexes_message, 14, 1, 1, 2)

        self.urine_ml_label = QLabel(ObservationForm)
        self.urine_ml_label.setObjectName(u"urine_ml_label")

        self.fields_layout.addWidget(self.urine_ml_label, 15, 0, 1, 1)

        self.urine_ml_edit = QLineEdit(ObservationForm)
        self.urine_ml_edit.setObjectName(u"urine_ml_edit")

        self.fields_layout.addWidget(self.urine_ml_edit, 15, 1, 1, 1)

        self.urine_ml_unit = QLabel(ObservationForm)
        self.urine_ml_unit.setObjectName(u"urine_ml_unit")

        self.fields_layout.addWidget(self.urine_ml_unit, 15, 2, 1, 1)

        self.urine_ml_message = FieldMessage(ObservationForm)
        self.urine_ml_message.setObjectName(u"urine_ml_message")

        self.fields_layout.addWidget(self.urine_ml_message, 16, 1, 1, 2)

        self.urine_period_label = QLabel(ObservationForm)
        self.urine_period_label.setObjectName(u"urine_period_label")

        self.fields_layout.addWidget(self.urine_period_label, 17, 0, 1, 1)

        self.urine_period_edit = QLineEdit(ObservationForm)
        self.urine_period_edit.setObjectName(u"urine_period_edit")

        self.fields_layout.addWidget(self.urine_period_edit, 17, 1, 1, 1)

        self.urine_period_unit = QLabel(ObservationForm)
        self.urine_period_unit.setObjectName(u"urine_period_unit")

        self.fields_layout.addWidget(self.urine_period_unit, 17, 2, 1, 1)

        self.urine_period_message = FieldMessage(ObservationForm)
        self.urine_period_message.setObjectName(u"urine_period_message")

        self.fields_layout.addWidget(self.urine_period_message, 18, 1, 1, 2)

        self.spo2_label = QLabel(ObservationForm)
        self.spo2_label.setObjectName(u"spo2_label")

        self.fields_layout.addWidget(self.spo2_label, 19, 0, 1, 1)

        self.spo2_edit = QLineEdit(ObservationForm)
        self.spo2_edit.setObjectName(u"spo2_edit")

        self.fields_layout.addWidget(self.spo2_edit, 19, 1, 1, 1)

        self.spo2_unit = QLabel(ObservationForm)
        self.spo2_unit.setObjectName(u"spo2_unit")

        self.fields_layout.addWidget(self.spo2_unit, 19, 2, 1, 1)

        self.spo2_message = FieldMessage(ObservationForm)
        self.spo2_message.setObjectName(u"spo2_message")

        self.fields_layout.addWidget(self.spo2_message, 20, 1, 1, 2)

        self.serum_mg_label = QLabel(ObservationForm)
        self.serum_mg_label.setObjectName(u"serum_mg_label")

        self.fields_layout.addWidget(self.serum_mg_label, 21, 0, 1, 1)

        self.serum_mg_edit = QLineEdit(ObservationForm)
        self.serum_mg_edit.setObjectName(u"serum_mg_edit")

        self.fields_layout.addWidget(self.serum_mg_edit, 21, 1, 1, 1)

        self.serum_mg_unit = QLabel(ObservationForm)
        self.serum_mg_unit.setObjectName(u"serum_mg_unit")

        self.fields_layout.addWidget(self.serum_mg_unit, 21, 2, 1, 1)

        self.serum_mg_message = FieldMessage(ObservationForm)
        self.serum_mg_message.setObjectName(u"serum_mg_message")

        self.fields_layout.addWidget(self.serum_mg_message, 22, 1, 1, 2)

        self.baseline_note = QLabel(ObservationForm)
        self.baseline_note.setObjectName(u"baseline_note")
        self.baseline_note.setWordWrap(True)

        self.fields_layout.addWidget(self.baseline_note, 23, 0, 1, 3)

#if QT_CONFIG(shortcut)
        self.pulse_label.setBuddy(self.pulse_edit)
        self.systolic_label.setBuddy(self.systolic_edit)
        self.diastolic_label.setBuddy(self.diastolic_edit)
        self.baseline_diastolic_label.setBuddy(self.baseline_diastolic_edit)
        self.rr_label.setBuddy(self.rr_edit)
        self.baseline_rr_label.setBuddy(self.baseline_rr_edit)
        self.reflexes_label.setBuddy(self.reflexes_combo)
        self.urine_ml_label.setBuddy(self.urine_ml_edit)
        self.urine_period_label.setBuddy(self.urine_period_edit)
        self.spo2_label.setBuddy(self.spo2_edit)
        self.serum_mg_label.setBuddy(self.serum_mg_edit)
#endif // QT_CONFIG(shortcut)

        self.retranslateUi(ObservationForm)

        QMetaObject.connectSlotsByName(ObservationForm)
    # setupUi

    def retranslateUi(self, ObservationForm):
        ObservationForm.setWindowTitle(QCoreApplication.translate("ObservationForm", u"Record observations", None))
        self.time_label.setText(QCoreApplication.translate("ObservationForm", u"Time taken", None))
        self.pulse_label.setText(QCoreApplication.translate("ObservationForm", u"Pulse", None))
#if QT_CONFIG(accessibility)
        self.pulse_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Pulse, beats per minute", None))
#endif // QT_CONFIG(accessibility)
        self.pulse_unit.setText(QCoreApplication.translate("ObservationForm", u"/min", None))
        self.pulse_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.systolic_label.setText(QCoreApplication.translate("ObservationForm", u"Systolic blood pressure", None))
#if QT_CONFIG(accessibility)
        self.systolic_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Systolic blood pressure, mmHg", None))
#endif // QT_CONFIG(accessibility)
        self.systolic_unit.setText(QCoreApplication.translate("ObservationForm", u"mmHg", None))
        self.systolic_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.diastolic_label.setText(QCoreApplication.translate("ObservationForm", u"Diastolic blood pressure", None))
#if QT_CONFIG(accessibility)
        self.diastolic_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Diastolic blood pressure, mmHg", None))
#endif // QT_CONFIG(accessibility)
        self.diastolic_unit.setText(QCoreApplication.translate("ObservationForm", u"mmHg", None))
        self.diastolic_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.baseline_diastolic_label.setText(QCoreApplication.translate("ObservationForm", u"Baseline diastolic", None))
#if QT_CONFIG(accessibility)
        self.baseline_diastolic_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Baseline diastolic blood pressure, mmHg", None))
#endif // QT_CONFIG(accessibility)
        self.baseline_diastolic_unit.setText(QCoreApplication.translate("ObservationForm", u"mmHg", None))
        self.baseline_diastolic_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.rr_label.setText(QCoreApplication.translate("ObservationForm", u"Respiratory rate", None))
#if QT_CONFIG(accessibility)
        self.rr_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Respiratory rate, breaths per minute", None))
#endif // QT_CONFIG(accessibility)
        self.rr_unit.setText(QCoreApplication.translate("ObservationForm", u"/min", None))
        self.rr_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.baseline_rr_label.setText(QCoreApplication.translate("ObservationForm", u"Baseline respiratory rate", None))
#if QT_CONFIG(accessibility)
        self.baseline_rr_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Baseline respiratory rate, breaths per minute", None))
#endif // QT_CONFIG(accessibility)
        self.baseline_rr_unit.setText(QCoreApplication.translate("ObservationForm", u"/min", None))
        self.baseline_rr_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.reflexes_label.setText(QCoreApplication.translate("ObservationForm", u"Patellar reflexes", None))
#if QT_CONFIG(accessibility)
        self.reflexes_combo.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Patellar reflexes", None))
#endif // QT_CONFIG(accessibility)
        self.urine_ml_label.setText(QCoreApplication.translate("ObservationForm", u"Urine output", None))
#if QT_CONFIG(accessibility)
        self.urine_ml_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Urine output, millilitres", None))
#endif // QT_CONFIG(accessibility)
        self.urine_ml_unit.setText(QCoreApplication.translate("ObservationForm", u"mL", None))
        self.urine_ml_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.urine_period_label.setText(QCoreApplication.translate("ObservationForm", u"Urine measured over", None))
#if QT_CONFIG(accessibility)
        self.urine_period_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Hours the urine output covers", None))
#endif // QT_CONFIG(accessibility)
        self.urine_period_unit.setText(QCoreApplication.translate("ObservationForm", u"hours", None))
        self.urine_period_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.spo2_label.setText(QCoreApplication.translate("ObservationForm", u"SpO\u2082", None))
#if QT_CONFIG(accessibility)
        self.spo2_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Oxygen saturation, percent", None))
#endif // QT_CONFIG(accessibility)
        self.spo2_unit.setText(QCoreApplication.translate("ObservationForm", u"%", None))
        self.spo2_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.serum_mg_label.setText(QCoreApplication.translate("ObservationForm", u"Serum magnesium (if taken)", None))
#if QT_CONFIG(accessibility)
        self.serum_mg_edit.setAccessibleName(QCoreApplication.translate("ObservationForm", u"Serum magnesium, mmol per litre", None))
#endif // QT_CONFIG(accessibility)
        self.serum_mg_unit.setText(QCoreApplication.translate("ObservationForm", u"mmol/L", None))
        self.serum_mg_unit.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
        self.baseline_note.setText("")
        self.baseline_note.setProperty(u"role", QCoreApplication.translate("ObservationForm", u"muted", None))
    # retranslateUi


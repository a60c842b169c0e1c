# generated — do not edit: compiled from forms/settings_dialog.ui by `make forms`
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'settings_dialog.ui'
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
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QGridLayout,
    QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSizePolicy, QSpacerItem, QVBoxLayout, QWidget)

from mgso4.gui.widgets.field_message import FieldMessage

class Ui_SettingsDialog(object):
    def setupUi(self, SettingsDialog):
        if not SettingsDialog.objectName():
            SettingsDialog.setObjectName(u"SettingsDialog")
        self.dialog_layout = QVBoxLayout(SettingsDialog)
        self.dialog_layout.setSpacing(8)
        self.dialog_layout.setObjectName(u"dialog_layout")
        self.dialog_layout.setContentsMargins(12, 12, 12, 12)
        self.banner_slot = QWidget(SettingsDialog)
        self.banner_slot.setObjectName(u"banner_slot")
        self.banner_layout = QVBoxLayout(self.banner_slot)
        self.banner_layout.setObjectName(u"banner_layout")
        self.banner_layout.setContentsMargins(0, 0, 0, 0)

        self.dialog_layout.addWidget(self.banner_slot)

        self.fields_layout = QGridLayout()
        self.fields_layout.setSpacing(4)
        self.fields_layout.setObjectName(u"fields_layout")
        self.unit_name_label = QLabel(SettingsDialog)
        self.unit_name_label.setObjectName(u"unit_name_label")

        self.fields_layout.addWidget(self.unit_name_label, 0, 0, 1, 1)

        self.unit_name_edit = QLineEdit(SettingsDialog)
        self.unit_name_edit.setObjectName(u"unit_name_edit")

        self.fields_layout.addWidget(self.unit_name_edit, 0, 1, 1, 1)

        self.unit_name_message = FieldMessage(SettingsDialog)
        self.unit_name_message.setObjectName(u"unit_name_message")

        self.fields_layout.addWidget(self.unit_name_message, 1, 1, 1, 2)

        self.protocol_label = QLabel(SettingsDialog)
        self.protocol_label.setObjectName(u"protocol_label")

        self.fields_layout.addWidget(self.protocol_label, 2, 0, 1, 1)

        self.protocol_combo = QComboBox(SettingsDialog)
        self.protocol_combo.setObjectName(u"protocol_combo")
        self.protocol_combo.setEditable(True)

        self.fields_layout.addWidget(self.protocol_combo, 2, 1, 1, 1)

        self.protocol_browse_button = QPushButton(SettingsDialog)
        self.protocol_browse_button.setObjectName(u"protocol_browse_button")

        self.fields_layout.addWidget(self.protocol_browse_button, 2, 2, 1, 1)

        self.protocol_message = FieldMessage(SettingsDialog)
        self.protocol_message.setObjectName(u"protocol_message")

        self.fields_layout.addWidget(self.protocol_message, 3, 1, 1, 2)

        self.protocol_note = QLabel(SettingsDialog)
        self.protocol_note.setObjectName(u"protocol_note")
        self.protocol_note.setWordWrap(True)

        self.fields_layout.addWidget(self.protocol_note, 4, 1, 1, 2)

        self.preparation_label = QLabel(SettingsDialog)
        self.preparation_label.setObjectName(u"preparation_label")

        self.fields_layout.addWidget(self.preparation_label, 5, 0, 1, 1)

        self.preparation_combo = QComboBox(SettingsDialog)
        self.preparation_combo.setObjectName(u"preparation_combo")

        self.fields_layout.addWidget(self.preparation_combo, 5, 1, 1, 1)

        self.preparation_message = FieldMessage(SettingsDialog)
        self.preparation_message.setObjectName(u"preparation_message")

        self.fields_layout.addWidget(self.preparation_message, 6, 1, 1, 2)

        self.timezone_label = QLabel(SettingsDialog)
        self.timezone_label.setObjectName(u"timezone_label")

        self.fields_layout.addWidget(self.timezone_label, 7, 0, 1, 1)

        self.timezone_combo = QComboBox(SettingsDialog)
        self.timezone_combo.setObjectName(u"timezone_combo")
        self.timezone_combo.setEditable(True)

        self.fields_layout.addWidget(self.timezone_combo, 7, 1, 1, 1)

        self.timezone_message = FieldMessage(SettingsDialog)
        self.timezone_message.setObjectName(u"timezone_message")

        self.fields_layout.addWidget(self.timezone_message, 8, 1, 1, 2)

        self.backup_dir_label = QLabel(SettingsDialog)
        self.backup_dir_label.setObjectName(u"backup_dir_label")

        self.fields_layout.addWidget(self.backup_dir_label, 9, 0, 1, 1)

        self.backup_dir_edit = QLineEdit(SettingsDialog)
        self.backup_dir_edit.setObjectName(u"backup_dir_edit")

        self.fields_layout.addWidget(self.backup_dir_edit, 9, 1, 1, 1)

        self.backup_browse_button = QPushButton(SettingsDialog)
        self.backup_browse_button.setObjectName(u"backup_browse_button")

        self.fields_layout.addWidget(self.backup_browse_button, 9, 2, 1, 1)

        self.backup_dir_message = FieldMessage(SettingsDialog)
        self.backup_dir_message.setObjectName(u"backup_dir_message")

        self.fields_layout.addWidget(self.backup_dir_message, 10, 1, 1, 2)

        self.backup_keep_label = QLabel(SettingsDialog)
        self.backup_keep_label.setObjectName(u"backup_keep_label")

        self.fields_layout.addWidget(self.backup_keep_label, 11, 0, 1, 1)

        self.backup_keep_edit = QLineEdit(SettingsDialog)
        self.backup_keep_edit.setObjectName(u"backup_keep_edit")

        self.fields_layout.addWidget(self.backup_keep_edit, 11, 1, 1, 1)

        self.backup_keep_message = FieldMessage(SettingsDialog)
        self.backup_keep_message.setObjectName(u"backup_keep_message")

        self.fields_layout.addWidget(self.backup_keep_message, 12, 1, 1, 2)


        self.dialog_layout.addLayout(self.fields_layout)

        self.fields_spacer = QSpacerItem(20, 20, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.dialog_layout.addItem(self.fields_spacer)

        self.buttons_layout = QHBoxLayout()
        self.buttons_layout.setObjectName(u"buttons_layout")
        self.buttons_spacer = QSpacerItem(20, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.buttons_layout.addItem(self.buttons_spacer)

        self.cancel_button = QPushButton(SettingsDialog)
        self.cancel_button.setObjectName(u"cancel_button")

        self.buttons_layout.addWidget(self.cancel_button)

        self.save_button = QPushButton(SettingsDialog)
        self.save_button.setObjectName(u"save_button")

        self.buttons_layout.addWidget(self.save_button)


        self.dialog_layout.addLayout(self.buttons_layout)

#if QT_CONFIG(shortcut)
        self.unit_name_label.setBuddy(self.unit_name_edit)
        self.protocol_label.setBuddy(self.protocol_combo)
        self.preparation_label.setBuddy(self.preparation_combo)
        self.timezone_label.setBuddy(self.timezone_combo)
        self.backup_dir_label.setBuddy(self.backup_dir_edit)
        self.backup_keep_label.setBuddy(self.backup_keep_edit)
#endif // QT_CONFIG(shortcut)

        self.retranslateUi(SettingsDialog)

        QMetaObject.connectSlotsByName(SettingsDialog)
    # setupUi

    def retranslateUi(self, SettingsDialog):
        SettingsDialog.setWindowTitle(QCoreApplication.translate("SettingsDialog", u"Settings", None))
        self.unit_name_label.setText(QCoreApplication.translate("SettingsDialog", u"Unit name", None))
#if QT_CONFIG(accessibility)
        self.unit_name_edit.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Unit name", None))
#endif // QT_CONFIG(accessibility)
        self.protocol_label.setText(QCoreApplication.translate("SettingsDialog", u"Protocol for new episodes", None))
#if QT_CONFIG(accessibility)
        self.protocol_combo.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Protocol for new episodes: a shipped id or a file path", None))
#endif // QT_CONFIG(accessibility)
        self.protocol_browse_button.setText(QCoreApplication.translate("SettingsDialog", u"Choose file\u2026", None))
#if QT_CONFIG(accessibility)
        self.protocol_browse_button.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Choose a protocol file", None))
#endif // QT_CONFIG(accessibility)
        self.protocol_browse_button.setProperty(u"role", QCoreApplication.translate("SettingsDialog", u"secondary", None))
        self.protocol_note.setText(QCoreApplication.translate("SettingsDialog", u"Changing the protocol affects new episodes only: an episode keeps the protocol it started with.", None))
        self.protocol_note.setProperty(u"role", QCoreApplication.translate("SettingsDialog", u"muted", None))
        self.preparation_label.setText(QCoreApplication.translate("SettingsDialog", u"Default preparation", None))
#if QT_CONFIG(accessibility)
        self.preparation_combo.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Default preparation", None))
#endif // QT_CONFIG(accessibility)
        self.timezone_label.setText(QCoreApplication.translate("SettingsDialog", u"Time zone", None))
#if QT_CONFIG(accessibility)
        self.timezone_combo.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Time zone", None))
#endif // QT_CONFIG(accessibility)
        self.backup_dir_label.setText(QCoreApplication.translate("SettingsDialog", u"Backup folder", None))
#if QT_CONFIG(accessibility)
        self.backup_dir_edit.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Backup folder", None))
#endif // QT_CONFIG(accessibility)
        self.backup_dir_edit.setPlaceholderText(QCoreApplication.translate("SettingsDialog", u"Default: the app data folder", None))
        self.backup_browse_button.setText(QCoreApplication.translate("SettingsDialog", u"Choose folder\u2026", None))
#if QT_CONFIG(accessibility)
        self.backup_browse_button.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Choose a backup folder", None))
#endif // QT_CONFIG(accessibility)
        self.backup_browse_button.setProperty(u"role", QCoreApplication.translate("SettingsDialog", u"secondary", None))
        self.backup_keep_label.setText(QCoreApplication.translate("SettingsDialog", u"Backups to keep", None))
#if QT_CONFIG(accessibility)
        self.backup_keep_edit.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Number of backups to keep", None))
#endif // QT_CONFIG(accessibility)
        self.cancel_button.setText(QCoreApplication.translate("SettingsDialog", u"Cancel", None))
#if QT_CONFIG(accessibility)
        self.cancel_button.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Cancel without saving", None))
#endif // QT_CONFIG(accessibility)
        self.cancel_button.setProperty(u"role", QCoreApplication.translate("SettingsDialog", u"secondary", None))
        self.save_button.setText(QCoreApplication.translate("SettingsDialog", u"Save settings", None))
#if QT_CONFIG(accessibility)
        self.save_button.setAccessibleName(QCoreApplication.translate("SettingsDialog", u"Save settings", None))
#endif // QT_CONFIG(accessibility)
    # retranslateUi

